/**
 * A headless Chromium driven over the DevTools protocol (one WebSocket, flat sessions), for
 * tests that check a page as a browser renders it: navigate, evaluate, collect console errors,
 * take a screenshot.
 * @module
 */

/** Path of a Chromium/Chrome binary (`$CHROMIUM`, else the first on PATH), or null. */
export function findChromium(): string | null {
  const fromEnv = Deno.env.get("CHROMIUM");
  if (fromEnv) return fromEnv;
  const names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    for (const n of names) {
      try {
        if (Deno.statSync(`${dir}/${n}`).isFile) return `${dir}/${n}`;
      } catch { /* not here */ }
    }
  }
  return null;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

const TIMEOUT_MS = 60_000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`chromium: ${what} timed out`)), TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A running headless Chromium. */
export class Browser {
  #proc: Deno.ChildProcess;
  #ws: WebSocket;
  #profile: string;
  #next = 1;
  #pending = new Map<number, { resolve: (r: CdpMessage) => void; reject: (e: Error) => void }>();
  #listeners = new Set<(m: CdpMessage) => void>();
  #stderr: Promise<void>;

  private constructor(
    proc: Deno.ChildProcess,
    ws: WebSocket,
    profile: string,
    stderr: Promise<void>,
  ) {
    this.#proc = proc;
    this.#ws = ws;
    this.#profile = profile;
    this.#stderr = stderr;
    ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data as string) as CdpMessage;
      if (m.id !== undefined) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.reject(new Error(`chromium: ${m.error.message}`));
        else p?.resolve(m);
      } else for (const l of this.#listeners) l(m);
    };
  }

  /** Start Chromium headless with a fresh profile and connect to its DevTools socket. */
  static async launch(executable: string): Promise<Browser> {
    const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
    const proc = new Deno.Command(executable, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        `--user-data-dir=${profile}`,
        "--remote-debugging-port=0",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // The DevTools URL is printed on stderr; keep draining stderr afterwards so Chromium never
    // blocks on a full pipe.
    let found: (url: string) => void = () => {};
    const url = new Promise<string>((resolve) => (found = resolve));
    let log = "";
    const stderr = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of proc.stderr) {
        if (log.length < 20_000) log += dec.decode(chunk, { stream: true });
        const m = log.match(/DevTools listening on (ws:\/\/\S+)/);
        if (m) found(m[1]!);
      }
    })();
    const exited = proc.status.then((s) => {
      throw new Error(
        `chromium exited (code ${s.code}) before DevTools was up: ${log.slice(-800)}`,
      );
    });
    const wsUrl = await withTimeout(Promise.race([url, exited]), "start");
    const ws = new WebSocket(wsUrl);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error(`chromium: cannot connect to ${wsUrl}`));
      }),
      "connect",
    );
    return new Browser(proc, ws, profile, stderr);
  }

  /** Send a command (to the browser, or to a page session). */
  async send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.#next++;
    const reply = new Promise<CdpMessage>((resolve, reject) =>
      this.#pending.set(id, { resolve, reject })
    );
    this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return (await withTimeout(reply, method)).result ?? {};
  }

  /** Subscribe to events; returns the unsubscribe function. */
  on(listener: (m: CdpMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Open a blank page (1280 px wide) that records console errors. */
  async newPage(): Promise<Page> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this, sessionId as string);
    await page.init();
    return page;
  }

  /** Close the browser, wait for it to exit and delete its profile. */
  async close(): Promise<void> {
    try {
      await this.send("Browser.close");
    } catch { /* already gone */ }
    const done = await Promise.race([
      this.#proc.status.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!done) {
      this.#proc.kill("SIGKILL");
      await this.#proc.status;
    }
    this.#ws.close();
    await this.#stderr.catch(() => {});
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

/** One tab. */
export class Page {
  /** Console errors, uncaught exceptions and failed loads, as text. */
  readonly errors: string[] = [];
  #browser: Browser;
  #session: string;
  #loaded: (() => void) | null = null;

  constructor(browser: Browser, session: string) {
    this.#browser = browser;
    this.#session = session;
    browser.on((m) => {
      if (m.sessionId !== session) return;
      const p = m.params ?? {};
      if (m.method === "Page.loadEventFired") this.#loaded?.();
      if (m.method === "Runtime.exceptionThrown") {
        const d = p.exceptionDetails as { text?: string; exception?: { description?: string } };
        this.errors.push(`exception: ${d.exception?.description ?? d.text}`);
      }
      if (m.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) {
        const args = (p.args as { value?: unknown; description?: string }[]) ?? [];
        this.errors.push(
          `console.${p.type}: ${args.map((a) => a.value ?? a.description).join(" ")}`,
        );
      }
      if (m.method === "Log.entryAdded") {
        const e = p.entry as { level: string; text: string; url?: string };
        if (e.level === "error") this.errors.push(`${e.text}${e.url ? ` (${e.url})` : ""}`);
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.#browser.send(method, params, this.#session);
  }

  async init(): Promise<void> {
    await this.send("Page.enable");
    await this.send("Runtime.enable");
    await this.send("Log.enable");
    await this.send("Emulation.setDeviceMetricsOverride", {
      width: 1280,
      height: 900,
      deviceScaleFactor: 1,
      mobile: false,
    });
  }

  /** Navigate and wait for the load event (every image loaded or failed). */
  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => (this.#loaded = resolve));
    const r = await this.send("Page.navigate", { url });
    if (r.errorText) throw new Error(`chromium: navigate ${url}: ${r.errorText}`);
    await withTimeout(loaded, `load ${url}`);
  }

  /** Evaluate an expression in the page (awaiting a promise) and return its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    const ex = r.exceptionDetails as { exception?: { description?: string } } | undefined;
    if (ex) throw new Error(`in-page check failed: ${ex.exception?.description}`);
    return (r.result as { value: T }).value;
  }

  /** PNG of the page's top `maxHeight` CSS pixels at 1280 px wide. */
  async screenshot(maxHeight = 5000): Promise<Uint8Array> {
    const h = await this.evaluate<number>("document.documentElement.scrollHeight");
    const r = await this.send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: 1280, height: Math.min(h, maxHeight), scale: 1 },
    });
    return Uint8Array.from(atob(r.data as string), (c) => c.charCodeAt(0));
  }
}
