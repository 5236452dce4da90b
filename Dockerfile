# Kyso: PAdES signing, verification and document exchange. The image carries SoftHSM2 for a demo token;
# production mounts a vendor PKCS#11 module and its configuration instead.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/* \
 && npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY web ./web
COPY assets ./assets
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends softhsm2 opensc openssl poppler-utils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY certs ./certs
COPY samples ./samples
COPY assets ./assets
COPY scripts ./scripts
USER node
ENV PORT=8080 KYSO_DATA_DIR=/app/data
EXPOSE 8080
# The service; MONGODB_URI must name a MongoDB server (see docker-compose.yml). The CLI is
# `docker run … node dist/cli/main.js verify FILE`.
CMD ["node", "--max-semi-space-size=32", "dist/main.js"]
