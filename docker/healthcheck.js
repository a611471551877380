// The image's HEALTHCHECK: GET /livez on the gateway's status port (config key status_port; the
// image expects 8080 unless HEALTHCHECK_PORT says otherwise). Exit 0 healthy, 1 not.
const port = Number(process.env.HEALTHCHECK_PORT || 8080);
fetch(`http://127.0.0.1:${port}/livez`, { signal: AbortSignal.timeout(4000) })
  .then((res) => process.exit(res.status === 200 ? 0 : 1))
  .catch((error) => {
    console.error(`healthcheck: http://127.0.0.1:${port}/livez: ${error.cause?.code ?? error.message}`);
    process.exit(1);
  });
