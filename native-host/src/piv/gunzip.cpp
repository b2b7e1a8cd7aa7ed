#include "piv/gunzip.hpp"

#include <zlib.h>

#include <climits>

#include "apdu/apdu_error.hpp"

namespace pkibridge::host::piv {

pkcs::Bytes gunzip(pkcs::ByteView compressed, std::size_t max_output) {
    if (compressed.size() > UINT_MAX)
        throw apdu::MalformedResponse("compressed certificate too large");
    z_stream stream{};
    // 15 + 32: maximum window, detect gzip or zlib headers automatically.
    if (inflateInit2(&stream, 15 + 32) != Z_OK)
        throw apdu::MalformedResponse("cannot initialise decompression");
    struct End {
        z_stream* s;
        ~End() { inflateEnd(s); }
    } end{&stream};

    stream.next_in = const_cast<Bytef*>(compressed.data());
    stream.avail_in = static_cast<uInt>(compressed.size());
    pkcs::Bytes out;
    std::uint8_t chunk[4096];
    int rv = Z_OK;
    while (rv != Z_STREAM_END) {
        stream.next_out = chunk;
        stream.avail_out = sizeof chunk;
        rv = inflate(&stream, Z_NO_FLUSH);
        if (rv != Z_OK && rv != Z_STREAM_END)
            throw apdu::MalformedResponse("the card's compressed certificate is corrupt");
        const std::size_t produced = sizeof chunk - stream.avail_out;
        if (out.size() + produced > max_output)
            throw apdu::MalformedResponse("the card's compressed certificate inflates too large");
        out.insert(out.end(), chunk, chunk + produced);
        if (rv == Z_OK && produced == 0 && stream.avail_in == 0)
            throw apdu::MalformedResponse("the card's compressed certificate is truncated");
    }
    return out;
}

}  // namespace pkibridge::host::piv
