// Finds the three browser engines the tests run in; on a Debian machine where we are
// root, installs the missing ones with apt-get; otherwise says in one line how to get them.
//   chromium — Debian `chromium` (or CHROME_PATH)
//   firefox  — Debian `firefox-esr` (or FIREFOX_PATH), driven over WebDriver BiDi by puppeteer-core
//   webkit   — Debian `webkit2gtk-driver` (WebKitWebDriver + MiniBrowser), run under `xvfb-run`
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Flags Chromium needs on these machines: root (no sandbox) and a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const MINIBROWSER = ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/libexec/webkit2gtk-4.1/MiniBrowser'];

const firstExisting = (paths) => paths.find((path) => path && existsSync(path));

/** What each engine needs, where to look for it, and the Debian packages that bring it. */
export const ENGINES = {
  chromium: {
    find: () => firstExisting([process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']),
    packages: ['chromium'],
    hint: 'apt-get install -y chromium, or set CHROME_PATH',
  },
  firefox: {
    find: () => firstExisting([process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox']),
    packages: ['firefox-esr'],
    hint: 'apt-get install -y firefox-esr, or set FIREFOX_PATH',
  },
  webkit: {
    find: () => {
      const driver = firstExisting([process.env.WEBKIT_DRIVER_PATH, '/usr/bin/WebKitWebDriver']);
      const browser = firstExisting([process.env.MINIBROWSER_PATH, ...MINIBROWSER]);
      const xvfb = firstExisting(['/usr/bin/xvfb-run']);
      return driver && browser && xvfb ? { driver, browser, xvfb } : undefined;
    },
    packages: ['webkit2gtk-driver', 'xvfb', 'xauth'],
    hint: 'apt-get install -y webkit2gtk-driver xvfb xauth',
  },
};

/** The Chromium executable, or undefined. */
export function findChromium() {
  return ENGINES.chromium.find();
}

function canApt() {
  return process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/**
 * Where each of `engines` lives, installing the missing ones with one apt-get when we are
 * root on Debian. Exits with one line per missing engine otherwise: never skips one silently.
 */
export function ensureBrowsers(engines) {
  const missing = engines.filter((engine) => !ENGINES[engine].find());
  if (missing.length > 0 && canApt()) {
    const packages = missing.flatMap((engine) => ENGINES[engine].packages);
    console.log(`Installing the browsers the tests need from Debian (apt-get install -y ${packages.join(' ')})…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
  }
  const found = Object.fromEntries(engines.map((engine) => [engine, ENGINES[engine].find()]));
  const still = engines.filter((engine) => !found[engine]);
  if (still.length > 0) {
    const others = engines.filter((e) => !still.includes(e));
    const leaveOut = others.length ? ` (or test the others only: PYPOOL_ENGINES=${others.join(',')})` : '';
    console.error(`Browsers missing: ${still.map((engine) => `${engine} — ${ENGINES[engine].hint}`).join('; ')}${leaveOut}.`);
    process.exit(1);
  }
  return found;
}

/** A Chromium path, installing Debian's package when possible; exits with one line otherwise. */
export function ensureChromium() {
  return ensureBrowsers(['chromium']).chromium;
}
