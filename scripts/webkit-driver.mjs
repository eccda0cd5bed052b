// Starts WebKitWebDriver under a virtual display (MiniBrowser needs one and has no
// headless mode) and stops it again. `JSC_useSharedArrayBuffer=1` gives WebKitGTK
// Safari's behaviour on cross-origin-isolated pages: without it, it hides
// SharedArrayBuffer even there. MiniBrowser and its web process inherit the variable.
import { spawn } from 'node:child_process';
import { freePort } from './free-port.mjs';

const START_TIMEOUT_MS = 30_000;

async function listening(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/status`);
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * @param {{ driver: string, xvfb: string }} paths what `ensureBrowsers(['webkit'])` found
 * @returns {Promise<{ port: number, stop(): void }>}
 */
export async function startWebKitDriver(paths) {
  const port = await freePort();
  const child = spawn(paths.xvfb, ['-a', '-s', '-screen 0 1280x1024x24', paths.driver, `--port=${port}`], {
    env: { ...process.env, JSC_useSharedArrayBuffer: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
    // Its own process group, so stop() ends xvfb-run, Xvfb and the driver together.
    detached: true,
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await listening(port))) {
    if (exited || Date.now() > deadline) {
      stop();
      throw new Error(`WebKitWebDriver did not start on port ${port} within ${START_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, stop };
}
