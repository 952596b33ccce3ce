// Child process: N keep-alive HTTP servers on loopback that answer a small JSON body. Running them
// in another process keeps the client's event loop and CPU accounting to itself; all servers share
// this one process, so every client configuration meets the same server capacity.
import { createServer } from "node:http";

const count = Number(process.argv[2] ?? 3);

const body = JSON.stringify({ message: "hello" });
const ports = [];
for (let i = 0; i < count; i++) {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  ports.push(server.address().port);
}
process.send(ports);
