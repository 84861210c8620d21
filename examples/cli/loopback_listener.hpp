// The tiny HTTP listener that receives a browser sign-in's redirect: RFC 8252 7.3 (OAuth
// for native apps: a loopback redirect URI on 127.0.0.1 with a port the system picks).
// It binds only 127.0.0.1, so no other machine can reach it; but any program or web page
// on this one can, so only the redirect carrying the state calsync issued ends the wait.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace cli {

class LoopbackListener {
  public:
    // Binds 127.0.0.1 on a free port; `path` is the redirect's path ("/callback").
    // Failure (kExitFailure) when no socket can be had.
    explicit LoopbackListener(std::string path = "/callback");
    ~LoopbackListener();
    LoopbackListener(const LoopbackListener&) = delete;
    LoopbackListener& operator=(const LoopbackListener&) = delete;

    int port() const { return port_; }
    // "http://127.0.0.1:PORT/callback": what the sign-in is told to redirect to.
    std::string redirect_uri() const;

    // Waits for the browser's GET of the redirect path whose query carries
    // state=`expected_state` (percent-decoded), at most `timeout` in all; returns the whole
    // redirect URL ("http://127.0.0.1:PORT/callback?code=...&state=..."), or nullopt on
    // timeout. Every other request (a wrong or missing state, a favicon, another path,
    // anything that is not a GET) is answered 400 (431 over 8 KiB) and waiting goes on.
    // The browser's connection stays open for answer().
    std::optional<std::string> wait_for_redirect(std::chrono::milliseconds timeout,
                                                 const std::string& expected_state);

    // Shows the browser a page (HTML-escaped text) and closes its connection.
    void answer(const std::string& title, const std::string& text);

  private:
    std::string path_;
    int listen_fd_ = -1;
    int client_fd_ = -1;
    int port_ = 0;
};

}  // namespace cli
