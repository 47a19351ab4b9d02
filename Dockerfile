# Production-like image of the app; used by docker-compose.yml.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY client/package.json client/
RUN npm ci --no-audit --no-fund
COPY . .
# The client and the server bundle (server/dist, scripts/build-server.mjs) are built once here; the build
# tools (esbuild, vite, tsx) do not ship in the image, only the packages the bundle leaves in node_modules.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
# Compiled code of the server bundle is kept on disk: a restarted container starts faster.
ENV NODE_COMPILE_CACHE=/tmp/node-compile-cache
EXPOSE 3000
USER node
# Plain Node running the server bundle, no loader: it starts faster than the TypeScript sources through
# Node's type stripping (bench/cold-start.ts). tests/helpers/server.ts starts every test server with exactly this command.
CMD ["node", "server/dist/server.js"]
