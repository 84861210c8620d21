// Transport on libcurl: one easy handle per transport, taken from a process-wide pool and given
// back when the transport is destroyed, so connections are reused between requests of one
// provider and across transports with the same connection options (easy_handle_pool.hpp);
// not for use by two threads at once.
#pragma once

#include <memory>

#include "net/http.hpp"

namespace calsync::net {

class CurlTransport : public Transport {
  public:
    explicit CurlTransport(HttpOptions options);
    ~CurlTransport() override;
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    Result<HttpResponse> perform(const HttpRequest& request) override;

  private:
    struct Handle;
    HttpOptions options_;
    std::unique_ptr<Handle> handle_;
};

}  // namespace calsync::net
