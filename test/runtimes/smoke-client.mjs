// A game client in another JavaScript runtime (Bun, Deno): loads @webcomm/browser as an app's
// bundler ships it (the built packages bundled into one module by the test), registers with the emulator, gets Cognito credentials, connects
// over the SigV4-signed WebSocket and prints the first announcement it receives.
// Usage: <runtime> smoke-client.mjs SERVICE_URL BUNDLE_PATH. Prints READY, then RECEIVED <json>, then exits 0.
const [serviceUrl, bundlePath] = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const { connectToService } = await import(`file://${bundlePath}`);

const memory = new Map();
const storage = {
  getItem: async (key) => memory.get(key) ?? null,
  setItem: async (key, value) => {
    memory.set(key, value);
  },
};
const exit = (code) => (globalThis.Deno ? globalThis.Deno.exit(code) : globalThis.process.exit(code));
const fail = (error) => {
  console.error('FAILED', error?.code ?? '', error?.message ?? error);
  exit(1);
};
const timer = setTimeout(() => fail(new Error('no message within 60 s')), 60_000);

try {
  const { client } = await connectToService({ serviceUrl, storage });
  client.on('error', (error) => console.error('client error', error.code, error.message));
  await client.subscribe('announcements', async (message) => {
    console.log(`RECEIVED ${JSON.stringify(message)}`);
    clearTimeout(timer);
    await client.close();
    exit(0);
  });
  await client.connect();
  console.log('READY');
} catch (error) {
  fail(error);
}
