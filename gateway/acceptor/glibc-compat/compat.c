/*
 * glibc-compat: the three ISO C23 entry points that glibc 2.38 added and the
 * prebuilt uWebSockets.js binary imports. On glibc < 2.38 they do not exist, so
 * this addon is loaded first with RTLD_GLOBAL and supplies them (unversioned,
 * which satisfies the binary's weakened GLIBC_2.38 version reference).
 *
 * The C23 variants differ from the classic ones only in also accepting binary
 * ("0b...") integers; uWS parses decimal/hex header and config values, so
 * forwarding to the classic functions is behaviourally equivalent for it.
 */
#define NAPI_VERSION 8 /* lowest version Node 20+ supports; we use no API at all */
#include <node_api.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* With glibc >= 2.38 headers in C23/_GNU_SOURCE mode, strtol() may itself be
 * redirected to __isoc23_strtol, which would make these wrappers recurse.
 * Such a system never needs this addon, so refuse to build there. */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 38))
#error "glibc >= 2.38 already provides __isoc23_*; the uWS glibc-compat addon is not needed here"
#endif

#define COMPAT_EXPORT __attribute__((visibility("default")))

COMPAT_EXPORT long __isoc23_strtol(const char *nptr, char **endptr, int base) {
  return strtol(nptr, endptr, base);
}

COMPAT_EXPORT unsigned long __isoc23_strtoul(const char *nptr, char **endptr, int base) {
  return strtoul(nptr, endptr, base);
}

COMPAT_EXPORT int __isoc23_sscanf(const char *str, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vsscanf(str, format, ap);
  va_end(ap);
  return n;
}

/* Node's process.dlopen() insists that an addon registers itself; nothing to export. */
NAPI_MODULE_INIT() {
  (void)env;
  return exports;
}
