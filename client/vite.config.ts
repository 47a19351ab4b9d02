import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Fastify server; in production it serves client/dist itself, so the proxy is for `vite` dev only.
const server = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [svelte()],
  server: {
    proxy: {
      '/api': server,
      '/healthz': server,
      '/socket.io': { target: server, ws: true },
    },
  },
  // livekit-client (~570 kB) is its own chunk, loaded only when the first call starts.
  build: { target: 'es2022', chunkSizeWarningLimit: 700 },
});
