# syntax=docker/dockerfile:1
# Langganan: one static binary on a distroless base, running as non-root.
#   docker build -t langganan .
#   docker run -p 8080:8080 -v langganan-data:/data langganan

FROM golang:1.26 AS build
WORKDIR /src
# The repository is a Go workspace (go.work): the service, the emulator's
# own module and the compat module; all their go.mod files are needed to
# resolve dependencies.
COPY go.mod go.sum go.work go.work.sum ./
COPY adapters/fakemidtrans/go.mod adapters/fakemidtrans/
COPY compat/go.mod compat/go.sum compat/
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o /out/server ./cmd/server \
 && mkdir -p /out/data

# distroless/static carries CA certificates and tzdata (the binary embeds
# tzdata too) and has a nonroot user (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/server /usr/local/bin/langganan
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV LANGGANAN_DATA=/data/langganan.db \
    LANGGANAN_ADDR=:8080
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/langganan"]
CMD ["serve"]
