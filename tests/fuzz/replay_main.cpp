// The main of a fuzz target in builds without libFuzzer (gcc: release, asan): runs the
// target's entry point once on every file of the directories and files it is given (its
// corpus and its regression inputs), so each input runs in every CI build. A crash, a
// sanitizer report or a broken invariant ends the program with the input's name printed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

// Regular files named on the command line, and those directly inside the directories
// named, in a stable order. A directory that does not exist holds nothing (a target with
// no regression input yet).
std::vector<fs::path> inputs_of(int argc, char** argv) {
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path path(argv[i]);
        if (fs::is_directory(path)) {
            std::vector<fs::path> inside;
            for (const auto& entry : fs::directory_iterator(path)) {
                if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
                    inside.push_back(entry.path());
            }
            std::sort(inside.begin(), inside.end());
            files.insert(files.end(), inside.begin(), inside.end());
        } else if (fs::is_regular_file(path)) {
            files.push_back(path);
        }
    }
    return files;
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize != nullptr)
        LLVMFuzzerInitialize(&argc, &argv);
    const std::vector<fs::path> files = inputs_of(argc, argv);
    if (files.empty()) {
        std::fprintf(stderr, "replay: no input found (arguments: directories or files)\n");
        return 2;
    }
    for (const fs::path& file : files) {
        std::fprintf(stderr, "replay: %s\n", file.c_str());
        std::ifstream in(file, std::ios::binary);
        const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                      std::istreambuf_iterator<char>()};
        // A copy of exactly the input's size, as libFuzzer hands it: reading past the end
        // is an ASan error here too.
        std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
        LLVMFuzzerTestOneInput(data.data(), data.size());
    }
    std::fprintf(stderr, "replay: %zu inputs, none failed\n", files.size());
    return 0;
}
