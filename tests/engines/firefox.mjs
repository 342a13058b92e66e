// Firefox for the engine tests (tests/support/engines.py): Debian's firefox-esr driven by
// puppeteer-core over WebDriver BiDi. Reads one JSON command per line on stdin, answers one
// JSON line on stdout: {"op": "goto", "url"}, {"op": "evaluate", "source", "arg"} (the
// function's result as JSON text, awaited), {"op": "viewport", "width", "height"},
// {"op": "screenshot", "path"}, {"op": "close"}. Usage: node firefox.mjs /path/to/firefox
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: process.argv[2],
  headless: true,
  extraPrefsFirefox: { "browser.shell.checkDefaultBrowser": false, "app.update.enabled": false },
});
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 900 });

async function run(command) {
  switch (command.op) {
    case "goto":
      await page.goto(command.url, { waitUntil: "load" });
      return null;
    case "evaluate":
      return await page.evaluate(
        `(async () => JSON.stringify(await (${command.source})(${JSON.stringify(command.arg ?? null)})))()`,
      );
    case "viewport":
      await page.setViewport({ width: command.width, height: command.height });
      return null;
    case "screenshot":
      await page.screenshot({ path: command.path, fullPage: false });
      return null;
    case "version":
      return await browser.version();
    default:
      throw new Error("unknown command " + command.op);
  }
}

process.stdout.write(JSON.stringify({ ready: true }) + "\n");
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line);
  if (command.op === "close") break;
  try {
    process.stdout.write(JSON.stringify({ value: (await run(command)) ?? null }) + "\n");
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error && error.message ? error.message : error) }) + "\n");
  }
}
await browser.close();
// The standard input is still open (the test process holds it): end here rather than wait for it.
process.exit(0);
