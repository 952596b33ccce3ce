import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The HTTP side every API double shares (Consul's, Kubernetes'): listening on 127.0.0.1 and
 * stopping, each request's body read whole, each request recorded and announced to the tests
 * waiting for it. A double routes what it receives in `handle`.
 */
export abstract class HttpDouble<Recorded> {
  readonly requests: Recorded[] = [];
  protected readonly server: Server;
  protected answering = false;
  private readonly arrivals = new Set<(request: Recorded) => void>();
  port = 0;

  /** `serve` makes the server from the handler it is given (plain HTTP or HTTPS). */
  protected constructor(serve: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server) {
    this.server = serve((req, res) => this.receive(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  /** Starts listening on 127.0.0.1 (on `port`, or any free port the first time). */
  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", reject);
        this.port = (this.server.address() as AddressInfo).port;
        this.answering = true;
        resolve();
      });
    });
  }

  /** Stops listening and drops every connection, held requests included. */
  stopListening(): Promise<void> {
    if (!this.answering) return Promise.resolve();
    this.answering = false;
    this.dropHeld();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Resolves with the next request that arrives and matches `filter`. */
  nextRequest(filter: (request: Recorded) => boolean = () => true): Promise<Recorded> {
    return new Promise((resolve) => {
      const listener = (request: Recorded): void => {
        if (!filter(request)) return;
        this.arrivals.delete(listener);
        resolve(request);
      };
      this.arrivals.add(listener);
    });
  }

  /** Records `request` and tells the tests waiting for one. */
  protected announce(request: Recorded): void {
    this.requests.push(request);
    for (const listener of [...this.arrivals]) listener(request);
  }

  /** Ends what the double holds open (watches, blocking queries) before it stops listening. */
  protected dropHeld(): void {}

  /** Answers a request whose body was read whole. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse, body: string): void;

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => this.handle(req, res, Buffer.concat(chunks).toString("utf8")));
  }
}
