// A webhook receiver for the http sink: answers every POST with 204 once its body is read, and
// GET /stats with the requests and bytes it received. Run by test/services/webhook.
'use strict';
const http = require('node:http');

const port = Number(process.argv[2]);
let requests = 0;
let bytes = 0;
http
  .createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests, bytes }));
      return;
    }
    req.on('data', (c) => (bytes += c.length));
    req.on('end', () => {
      requests++;
      res.writeHead(204).end();
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`webhook receiver on 127.0.0.1:${port}`));
