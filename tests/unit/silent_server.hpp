// A TCP listener on 127.0.0.1 that never accepts or answers: the kernel completes each
// client's handshake into the listen backlog, so a client that connected then waits for
// a reply that never comes — a server whose process hangs, or an address that swallows
// the traffic after the handshake. Tests use it to check that a store's connection wait
// is bounded.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

struct silent_server {
  int fd = -1;
  int port = 0;
  silent_server() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), n) != 0 || ::listen(fd, 16) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) != 0)
      return;
    port = ntohs(a.sin_port);
  }
  silent_server(const silent_server&) = delete;
  silent_server& operator=(const silent_server&) = delete;
  ~silent_server() {
    if (fd >= 0) ::close(fd);
  }
  /// A libpq connection string to it.
  std::string conninfo() const { return "host=127.0.0.1 port=" + std::to_string(port) + " user=jobwire dbname=x"; }
};
