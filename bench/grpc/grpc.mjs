// The one copy of @grpc/grpc-js (and proto-loader) the benchmark uses: the copy that
// @switchyard/transport-grpc resolves, because grpc-js registrations (resolver, policy) belong to
// one copy of the module. In an installed app the two are the same copy anyway (pnpm dedupes).
import { createRequire } from "node:module";

const require = createRequire(import.meta.resolve("@switchyard/transport-grpc/package.json"));

export const grpc = require("@grpc/grpc-js");
const { loadSync } = require("@grpc/proto-loader");

const definition = loadSync(new URL("./helloworld.proto", import.meta.url).pathname, { keepCase: true });
/** The generated client class of helloworld.Greeter (its `service` is the server definition). */
export const Greeter = grpc.loadPackageDefinition(definition).helloworld.Greeter;
