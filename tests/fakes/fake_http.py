"""What every fake server under tests/fakes/ shares: a quiet HTTP/1.1 handler with a
one-call reply, a threaded server, and an abrupt connection reset."""
import http.server
import socket
import socketserver
import struct


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: a reply is two writes (the headers, then the body), and with Nagle's
    # algorithm the body waits for the peer's ACK of the headers, which a client's delayed
    # ACK holds back up to 40 ms: every request on a kept-alive connection took 44 ms.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reset_connection(self):
        # SO_LINGER 0: close with RST, as a crashed peer or middlebox does.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(handler):
    """Serves `handler` on 127.0.0.1 at a free port, printed as the first line."""
    server = Server(("127.0.0.1", 0), handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
