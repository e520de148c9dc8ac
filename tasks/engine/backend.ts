/**
 * Backend selection, in one place.
 *
 * `auto` takes WebGPU only when Deno offers a *hardware* adapter (a software/fallback adapter such
 * as Mesa's llvmpipe/lavapipe is correct but 10–50× slower than wasm here), else the wasm backend
 * (SIMD, one thread), else the pure-JS cpu backend. The choice, the reason and the adapter name are
 * recorded in every result's provenance.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { version_wasm } from "@tensorflow/tfjs-backend-wasm";
import type { BackendInfo } from "../core/experiment.ts";
import { installEngine } from "./mod.ts";

/** Backends a user may ask for. */
export const BACKEND_CHOICES = ["auto", "webgpu", "wasm", "cpu"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Words in an adapter description that mean "software rasteriser". */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe|software|microsoft basic render/i;

/** A WebGPU adapter as Deno describes it, or null when there is none. */
export interface AdapterProbe {
  description: string;
  software: boolean;
}

/** wgpu's GL path complains on stderr when XDG_RUNTIME_DIR is unset; give it a private one. */
function quietGlBackend(): void {
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR")) return;
    const dir = Deno.makeTempDirSync({ prefix: "xdg-" });
    Deno.chmodSync(dir, 0o700);
    Deno.env.set("XDG_RUNTIME_DIR", dir);
  } catch { /* no env/write permission: the warning is harmless */ }
}

/** Ask Deno for a WebGPU adapter and classify it as hardware or software. */
export async function probeWebGpuAdapter(): Promise<AdapterProbe | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return null;
  quietGlBackend();
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info;
  const description = [info?.vendor, info?.architecture, info?.device, info?.description]
    .filter((s) => s && String(s).length > 0).join(" ").trim() || "unknown adapter";
  const fallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    false;
  return { description, software: fallback || SOFTWARE_ADAPTER.test(description) };
}

/** Decide which backend `auto` means on this machine, without initialising TF.js. */
export async function resolveBackend(requested: BackendChoice): Promise<BackendInfo> {
  if (requested === "cpu") {
    return { name: "cpu", requested, adapter: null, reason: "asked for cpu" };
  }
  if (requested === "wasm") {
    return { name: "wasm", requested, adapter: null, reason: "asked for wasm" };
  }
  const probe = await probeWebGpuAdapter();
  if (requested === "webgpu") {
    if (!probe) throw new Error("--backend webgpu: Deno offers no WebGPU adapter on this machine");
    return {
      name: "webgpu",
      requested,
      adapter: probe.description,
      reason: probe.software ? "asked for webgpu (software adapter: slow)" : "asked for webgpu",
    };
  }
  if (probe && !probe.software) {
    return {
      name: "webgpu",
      requested,
      adapter: probe.description,
      reason: "hardware GPU adapter",
    };
  }
  return {
    name: "wasm",
    requested,
    adapter: probe?.description ?? null,
    reason: probe ? `WebGPU adapter is software (${probe.description})` : "no WebGPU adapter",
  };
}

/** Versions of TF.js and of the active backend package. */
export function backendVersions(name: string): { tfjs: string; backend: string } {
  const tfjs = tf.version.tfjs;
  return { tfjs, backend: name === "wasm" ? version_wasm : tfjs };
}

/**
 * Pick and initialise the backend. Falls back from wasm to cpu if wasm fails to start
 * (recorded in `reason`). Installs the engine's kernels and gradients for the chosen backend.
 */
export async function setupBackend(requested: BackendChoice = "auto"): Promise<BackendInfo> {
  tf.enableProdMode();
  const info = await resolveBackend(requested);
  if (info.name === "webgpu") await import("@tensorflow/tfjs-backend-webgpu");
  let ok = false;
  try {
    ok = await tf.setBackend(info.name);
  } catch {
    ok = false;
  }
  if (!ok) {
    if (requested !== "auto") throw new Error(`backend "${info.name}" failed to initialise`);
    await tf.setBackend("cpu");
    Object.assign(info, { name: "cpu", reason: `${info.name} failed to initialise; using cpu` });
  }
  await tf.ready();
  installEngine(info.name);
  return info;
}
