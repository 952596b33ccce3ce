import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "@switchyard/api";
import { reasonFor, StatusError, sendStatus } from "./status.js";
import type { KubernetesFault } from "./types.js";

/**
 * Plays a fault that replaces the answer and returns true; false for the faults that shape a
 * normal answer instead (`drop-after`, `expired`), which the routes play.
 */
export function playFault(
  clock: Clock,
  fault: KubernetesFault,
  req: IncomingMessage,
  res: ServerResponse,
  proceed: () => void,
): boolean {
  switch (fault.kind) {
    case "status": {
      const message = fault.message ?? `fault injected by the kubernetes double (${fault.code})`;
      sendStatus(res, new StatusError(fault.code, fault.reason ?? reasonFor(fault.code), message));
      return true;
    }
    case "reply":
      res.writeHead(fault.status ?? 200, {
        "Content-Type": "application/json",
        ...fault.headers,
        "Content-Length": Buffer.byteLength(fault.body),
      });
      res.end(fault.body);
      return true;
    case "reset":
      req.socket.destroy();
      return true;
    case "hang":
      return true;
    case "delay": {
      const timer = clock.setTimeout(() => {
        res.off("close", cancel);
        if (!res.destroyed) proceed();
      }, fault.ms);
      const cancel = (): void => clock.clearTimeout(timer);
      res.once("close", cancel);
      return true;
    }
    default:
      return false;
  }
}
