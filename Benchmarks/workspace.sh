# Sourced by the benchmark scripts: builds tlsdrill (release), makes a scratch directory with a drill PKI,
# and kills every PID pushed onto PIDS and removes the directory on exit.
#   source Benchmarks/workspace.sh NAME   → sets BIN, WORK, PKI, PIDS; start_gateway starts `serve`,
#   start_nginx a pinned nginx
swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)/tlsdrill
WORK=$(mktemp -d "/tmp/tlsdrill-$1.XXXXXX")
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
"$BIN" pki init "$WORK/pki" >/dev/null
PKI=$WORK/pki

# start_gateway [WORKERS] → sets PORT and SERVE: the built-in gateway on a random loopback port, trusting gen1.
start_gateway() {
  PORT=$((20000 + RANDOM % 20000))
  "$BIN" serve --listen "127.0.0.1:$PORT" --cert "$PKI/gen1/server.pem" --key "$PKI/gen1/server.key" \
    --trust "$PKI/gen1/root.pem" --workers "${1:-1}" --quiet >/dev/null 2>&1 &
  SERVE=$!
  PIDS+=("$SERVE")
  sleep 1
}

# start_nginx → sets PORT, CLIENT_CA and NGINX_WORKER: one nginx worker pinned to core 0 on a random loopback port,
# requiring a gen1 client certificate, session cache and tickets off (every handshake full), "ok" to every request.
start_nginx() {
  CLIENT_CA=$WORK/client-ca.pem
  cat "$PKI/gen1/root.pem" "$PKI/gen1/intermediate.pem" > "$CLIENT_CA"
  PORT=$((20000 + RANDOM % 20000))
  mkdir -p "$WORK/nginx/logs"
  cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log crit;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$PORT ssl;
    ssl_certificate $PKI/gen1/server.pem;
    ssl_certificate_key $PKI/gen1/server.key;
    ssl_client_certificate $CLIENT_CA;
    ssl_verify_client on;
    ssl_verify_depth 3;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    keepalive_timeout 0;
    location / { return 200 "ok\n"; }
  }
}
CONF
  taskset -c 0 nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
  PIDS+=($!)
  for _ in $(seq 50); do
    [ -s "$WORK/nginx/nginx.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
  done
  NGINX_WORKER=$(pgrep -f "nginx: worker process" -P "$(cat "$WORK/nginx/nginx.pid")" | head -1)
}
