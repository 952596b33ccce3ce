// Worker thread: N grpc-js helloworld servers on loopback (unary SayHello, server-streaming
// SayHellos). They run in a thread of the measuring process, so the client's CPU is read for the
// main thread alone (../pairs/measure.mjs); every client of a pair meets the same servers. Posts the ports.
import { parentPort, workerData } from "node:worker_threads";
import { Greeter, grpc } from "./grpc.mjs";

const reply = { message: "hello" };
const servers = [];
const ports = [];
for (let i = 0; i < workerData.count; i++) {
  const server = new grpc.Server();
  server.addService(Greeter.service, {
    SayHello: (_call, callback) => callback(null, reply),
    SayHellos: (call) => {
      for (let n = 0; n < call.request.count; n++) call.write(reply);
      call.end();
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  servers.push(server);
  ports.push(port);
}
parentPort.postMessage(ports);
parentPort.on("message", () => {
  for (const server of servers) server.forceShutdown();
  parentPort.close();
});
