// Worker thread: N keep-alive HTTP servers on loopback that answer a small JSON body. Running
// them off the main thread keeps the client's event loop to itself; all servers share this one
// thread, so every client configuration meets the same server capacity.
import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const body = JSON.stringify({ message: "hello" });
const ports = [];
for (let i = 0; i < workerData.count; i++) {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  ports.push(server.address().port);
}
parentPort.postMessage(ports);
