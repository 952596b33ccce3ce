import type { DoubleContext, DoubleRequest } from "./context.js";
import { queryHeaders, sendText } from "./reply.js";
import type { ConsulFault } from "./types.js";

/**
 * Plays a fault that replaces the answer. Returns `"continue"` for the faults that still answer
 * normally (`delay`, once its time has passed, and `index`); `"played"` otherwise.
 */
export function playFault(
  ctx: DoubleContext,
  request: DoubleRequest,
  fault: ConsulFault,
  proceed: () => void,
): "continue" | "played" {
  const { res } = request;
  switch (fault.kind) {
    case "status":
      sendText(res, fault.status, fault.body ?? `fault injected by the consul double (${fault.status})`);
      return "played";
    case "reply": {
      const body = fault.body;
      res.writeHead(fault.status ?? 200, {
        "Content-Type": "application/json",
        ...queryHeaders(Math.max(1, ctx.state.index)),
        ...fault.headers,
        "Content-Length": Buffer.byteLength(body),
      });
      res.end(body);
      return "played";
    }
    case "invalid-json": {
      const body = '[{"Node":{"Node":"consul-double"},"Service":{"ID":';
      res.writeHead(200, {
        "Content-Type": "application/json",
        ...queryHeaders(Math.max(1, ctx.state.index)),
        "Content-Length": Buffer.byteLength(body),
      });
      res.end(body);
      return "played";
    }
    case "truncated": {
      const partial = '[{"Node":{"Node":"consul-double","Address":"127.0.0.1"},"Ser';
      res.writeHead(200, {
        "Content-Type": "application/json",
        ...queryHeaders(Math.max(1, ctx.state.index)),
        "Content-Length": Buffer.byteLength(partial) * 4,
      });
      res.write(partial, () => res.socket?.destroy());
      return "played";
    }
    case "reset":
      request.req.socket.destroy();
      return "played";
    case "hang":
      return "played";
    case "delay": {
      const timer = ctx.clock.setTimeout(() => {
        res.off("close", cancel);
        if (!res.destroyed) proceed();
      }, fault.ms);
      const cancel = (): void => ctx.clock.clearTimeout(timer);
      res.once("close", cancel);
      return "played";
    }
    case "index":
      return "continue";
  }
}
