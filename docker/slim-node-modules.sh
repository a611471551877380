#!/bin/sh
# Removes from a production node_modules (after `npm prune --omit=dev`) what the gateway never loads
# at run time, so the image does not carry ~550 MB of build leftovers. test/deploy/image.test.ts runs
# the gateway from a tree slimmed by this script.
#   sh docker/slim-node-modules.sh node_modules
set -eu
dir="$1"
arch="$(node -p process.arch)"
# node-rdkafka: librdkafka's sources and objects, and its static libraries; the addon loads
# build/deps/librdkafka.so.1 and librdkafka++.so.1, which stay.
rm -rf "$dir/node-rdkafka/deps/librdkafka"
rm -f "$dir"/node-rdkafka/build/deps/*.a
# uWebSockets.js: the binaries for other operating systems and CPU architectures.
find "$dir/@btc-vision/uwebsockets.js" -name 'uws_*.node' ! -name "uws_linux_${arch}_*" -delete
