// Child process: N grpc-js helloworld servers on loopback. They run in their own process so that
// the client's CPU time can be measured alone (process.cpuUsage), and all servers share one event
// loop, so every client configuration meets the same server capacity. Sends the ports over IPC.
import { Greeter, grpc } from "./grpc.mjs";

const count = Number(process.argv[2] ?? 3);
const reply = { message: "hello" };
const ports = [];
for (let i = 0; i < count; i++) {
  const server = new grpc.Server();
  server.addService(Greeter.service, { SayHello: (_call, callback) => callback(null, reply) });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  ports.push(port);
}
process.send(ports);
process.on("disconnect", () => process.exit(0));
