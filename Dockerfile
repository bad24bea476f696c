# syntax=docker/dockerfile:1
# Build a static, cgo-free binary, then ship it alone in a distroless image
# (CA certificates and time-zone data included, no shell, non-root).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Keep this line in step with the README (TestDockerfileBuildMatchesREADME).
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/claimwatch ./cmd/claimwatch
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/claimwatch /usr/local/bin/claimwatch
COPY --from=build --chown=65532:65532 /out/data /data
ENV CLAIMWATCH_DB=/data/claimwatch.db
VOLUME ["/data"]
USER 65532:65532
EXPOSE 9090
# The binary checks itself: no shell or curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["claimwatch", "healthcheck", "--url", "http://127.0.0.1:9090/healthz"]
ENTRYPOINT ["claimwatch"]
CMD ["run", "--listen", "0.0.0.0:9090"]
