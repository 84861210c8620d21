// The redirect end of an OAuth sign-in on the person's own machine (RFC 8252 7.3): a
// one-shot HTTP listener on 127.0.0.1 with a port the system picks, which takes the
// browser's GET of the redirect URI, answers it with a short page, and hands back the
// query (code and state, or error).
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace calsync_cli {

class LoopbackRedirect {
  public:
    LoopbackRedirect();  // throws std::runtime_error when no port can be had
    ~LoopbackRedirect();
    LoopbackRedirect(const LoopbackRedirect&) = delete;
    LoopbackRedirect& operator=(const LoopbackRedirect&) = delete;

    std::string redirect_uri() const;  // http://127.0.0.1:PORT/callback

    // Waits for the browser's request of the redirect URI (other paths get 404) and
    // returns its query, decoded; false when `timeout` passes first.
    bool wait(std::chrono::seconds timeout, std::map<std::string, std::string>* query);

  private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace calsync_cli
