# One image for every role; SHELFPULSE_ROLES picks what a container runs.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web --if-present
EXPOSE 3000
CMD ["node", "bin/shelfpulse.mjs", "serve", "--no-demo"]
