package io.infernet.natives;

/**
 * The one llama.cpp release this project is built and tested against. Both npm packages carry
 * the same llama.cpp ({@code llama_version()} reports 0.5.0-dev, ggml 0.25.1); the integrity
 * strings are the sha512 the npm registry reports, checked before anything is unpacked.
 * Moving the pin means changing these constants and re-running the layout test.
 */
public final class NativePin {
    private NativePin() {}

    /** Names the cache folder: everything unpacked or built from this pin lives under it. */
    public static final String ID = "node-llama-cpp-3.22.1";

    /** The llama.cpp release the packages were built from. */
    public static final String LLAMA_CPP_RELEASE = "v0.5.0";

    /** Prebuilt CPU libraries for linux x86-64 ({@code bins/linux-x64/}). */
    public static final NpmPackage LINUX_X64 = new NpmPackage(
            "@node-llama-cpp/linux-x64", "3.22.1",
            "sha512-5uCCDNqWCNfaAm8aR/Uzxbo4HBpKgNF91kCHPepKhgMgV2OAmatoefbOlMihsqCiH2Od35E/eUHQCFbfRBJuOg==",
            "package/bins/linux-x64");

    /** The exact source as a git bundle ({@code llama/gitRelease.bundle}). */
    public static final NpmPackage SOURCE = new NpmPackage(
            "node-llama-cpp", "3.22.1",
            "sha512-bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw==",
            "package/llama/gitRelease.bundle");

    /**
     * An npm package of the pin.
     *
     * @param name      package name
     * @param version   exact version
     * @param integrity the registry's sha512 integrity string ({@code sha512-<base64>})
     * @param member    the path inside the tarball this project uses
     */
    public record NpmPackage(String name, String version, String integrity, String member) {
        public String spec() {
            return name + "@" + version;
        }
    }
}
