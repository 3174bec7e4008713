# One image for every role; SHELFPULSE_ROLES picks what a container runs.
FROM node:20-bookworm-slim
WORKDIR /app
# MALLOC_ARENA_MAX: glibc gives each thread (chDB's pool, libvips, onnxruntime) its own malloc arena, and the
# fragments they keep roughly double the resident memory; two arenas keep it flat (README, Operations).
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip MALLOC_ARENA_MAX=2
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web --if-present
EXPOSE 3000
CMD ["node", "bin/shelfpulse.mjs", "serve", "--no-demo"]
