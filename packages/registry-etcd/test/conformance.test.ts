import { describeRegistryConformance } from "@switchyard/testkit";
import { afterAll, beforeAll } from "vitest";
import { createEtcdRegistry } from "../src/index.js";
import { type EtcdServer, startEtcd } from "./etcd-server.js";
import { uniqueNamespace } from "./helpers.js";

let etcd: EtcdServer;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(() => etcd?.stop());

describeRegistryConformance({
  name: "etcd registry",
  create() {
    const registry = createEtcdRegistry({ endpoints: etcd.endpoint, namespace: uniqueNamespace() });
    return { registrar: registry, discovery: registry, close: () => registry.close() };
  },
});

// Registrar and discovery as two processes see each other: separate clients, one namespace.
describeRegistryConformance({
  name: "etcd registry with separate registrar and discovery clients",
  create() {
    const namespace = uniqueNamespace();
    const registrar = createEtcdRegistry({ endpoints: etcd.endpoint, namespace, leaseTtlMs: 5000 });
    const discovery = createEtcdRegistry({ endpoints: etcd.endpoint, namespace });
    return {
      registrar,
      discovery,
      close: async () => {
        await Promise.all([registrar.close(), discovery.close()]);
      },
    };
  },
});
