package io.infernet.natives;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Gets the pinned llama.cpp into a per-user cache, never into the repository.
 *
 * <p>Layout under {@link #pinDir()}: {@code cpu/} holds the prebuilt CPU libraries from npm,
 * {@code src/} the exact source cloned from the git bundle (headers, vocabularies, chat
 * templates, the CMake build), {@code builds/<name>/} source builds. Each part is unpacked into
 * a temporary folder and renamed into place, under a file lock, so concurrent processes and an
 * interrupted run never see half a folder.
 */
public final class NativeBundle {
    private NativeBundle() {}

    /** System property naming an existing llama.cpp build or install folder to use instead. */
    public static final String LIB_DIR_PROPERTY = "infernet.llama.dir";
    /** Environment variable with the same meaning as {@link #LIB_DIR_PROPERTY}. */
    public static final String LIB_DIR_ENV = "INFERNET_LLAMA_DIR";
    /** Environment variable that moves the whole cache (default: $XDG_CACHE_HOME/infernet or ~/.cache/infernet). */
    public static final String CACHE_ENV = "INFERNET_CACHE";

    /** The per-user cache root of this project. */
    public static Path cacheRoot() {
        String explicit = System.getenv(CACHE_ENV);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "infernet");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "infernet");
    }

    /** Everything of the pin lives under here. */
    public static Path pinDir() {
        return cacheRoot().resolve("native").resolve(NativePin.ID);
    }

    /**
     * The libraries the runtime should load: an explicit folder ({@value #LIB_DIR_PROPERTY} or
     * {@value #LIB_DIR_ENV}) wins, then the source build selected with
     * {@link SourceBuild#select}, then the prebuilt npm libraries (fetched on first use).
     */
    public static LibraryDir resolve(Progress progress) {
        String explicit = System.getProperty(LIB_DIR_PROPERTY);
        String from = "-D" + LIB_DIR_PROPERTY;
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(LIB_DIR_ENV);
            from = LIB_DIR_ENV;
        }
        if (explicit != null && !explicit.isBlank()) {
            Path root = Path.of(explicit);
            String source = from;
            String origin = "llama.cpp build at " + root + " (from " + source + ")";
            return LibraryDir.locate(root, origin).orElseThrow(() -> new NativeException(
                    source + " points at " + root + ", but neither it nor its bin/ or lib/ folder holds libggml-base, libggml and libllama. "
                            + "Point it at a llama.cpp build folder (one built with -DBUILD_SHARED_LIBS=ON) or unset it."));
        }
        Optional<LibraryDir> selected = SourceBuild.selected();
        if (selected.isPresent()) {
            return selected.get();
        }
        return cpuLibraries(progress);
    }

    /** The prebuilt CPU libraries of the pin, fetched from npm and verified on first use. */
    public static LibraryDir cpuLibraries(Progress progress) {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new NativeException("prebuilt llama.cpp libraries are pinned for linux x86-64 only; this is " + os + " " + arch
                    + ". Build the pin from source instead: ./infernet native build (needs cmake and a C++ compiler), "
                    + "or point " + LIB_DIR_ENV + " at an existing llama.cpp build.");
        }
        Path dir = pinDir().resolve("cpu");
        LibraryDir libs = new LibraryDir(dir, "npm " + NativePin.LINUX_X64.spec());
        if (libs.isComplete()) {
            return libs;
        }
        withLock(() -> {
            if (!libs.isComplete()) {
                fetchMember(NativePin.LINUX_X64, dir, progress);
            }
        });
        if (!libs.isComplete()) {
            throw new NativeException("unpacked " + NativePin.LINUX_X64.spec() + " into " + dir + " but the libraries are not there");
        }
        return libs;
    }

    /**
     * The exact llama.cpp source of the pin (a git work tree), cloned from the bundle in the
     * {@code node-llama-cpp} package on first use. Holds {@code include/llama.h},
     * {@code ggml/include/}, {@code models/ggml-vocab-*.gguf} and {@code models/templates/}.
     */
    public static Path source(Progress progress) {
        Path src = pinDir().resolve("src");
        if (Files.isRegularFile(src.resolve("include/llama.h"))) {
            return src;
        }
        withLock(() -> {
            if (Files.isRegularFile(src.resolve("include/llama.h"))) {
                return;
            }
            if (!Processes.onPath("git")) {
                throw new NativeException("git is needed to unpack the llama.cpp source bundle; install git (e.g. apt-get install git)");
            }
            Path tmp = tempSibling(src);
            try {
                Path bundleDir = tmp.resolve("bundle");
                fetchMember(NativePin.SOURCE, bundleDir, progress);
                Path bundle = bundleDir.resolve("gitRelease.bundle");
                progress.step("cloning the llama.cpp source from " + bundle.getFileName());
                Path tree = tmp.resolve("tree");
                Processes.check(tmp, List.of("git", "-c", "advice.detachedHead=false", "clone", "--quiet", bundle.toString(), tree.toString()), null, 10);
                deleteTree(bundleDir);
                Files.createDirectories(src.getParent());
                Files.move(tree, src, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new NativeException("could not place the llama.cpp source in " + src + ": " + e.getMessage(), e);
            } finally {
                deleteTree(tmp);
            }
        });
        return src;
    }

    /** Folder with the pin's vocabulary GGUF files and their tokenizer test vectors. */
    public static Path models(Progress progress) {
        return source(progress).resolve("models");
    }

    /** Folder of the pin's public headers: {@code llama.h} and ggml's. */
    public static List<Path> includeDirs(Progress progress) {
        Path src = source(progress);
        return List.of(src.resolve("include"), src.resolve("ggml/include"));
    }

    // --- fetching -------------------------------------------------------------------------

    /**
     * {@code npm pack}s the package into a temporary folder, checks its sha512 against the pin,
     * extracts {@code pkg.member()} and moves its contents to {@code target}.
     */
    private static void fetchMember(NativePin.NpmPackage pkg, Path target, Progress progress) {
        if (!Processes.onPath("npm")) {
            throw new NativeException("npm is needed to fetch the pinned llama.cpp (" + pkg.spec()
                    + "); install Node.js with npm (e.g. apt-get install npm), or point " + LIB_DIR_ENV + " at an existing llama.cpp build");
        }
        Path tmp = tempSibling(target);
        try {
            progress.step("fetching " + pkg.spec() + " with npm pack");
            Processes.check(tmp, List.of("npm", "pack", "--silent", "--pack-destination", tmp.toString(), pkg.spec()), null, 15);
            Path tgz;
            try (Stream<Path> files = Files.list(tmp)) {
                tgz = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new NativeException("npm pack " + pkg.spec() + " produced no .tgz in " + tmp));
            }
            String actual = integrity(tgz);
            if (!actual.equals(pkg.integrity())) {
                throw new NativeException("integrity check failed for " + pkg.spec() + ": expected " + pkg.integrity() + " but the download has "
                        + actual + ". The registry served different bytes than the pin; refusing to use them.");
            }
            progress.step("verified " + pkg.spec() + " (" + Files.size(tgz) / 1024 / 1024 + " MiB, sha512 matches the pin); unpacking");
            Path unpack = tmp.resolve("unpack");
            Files.createDirectories(unpack);
            Processes.check(unpack, List.of("tar", "-xzf", tgz.toString(), pkg.member()), null, 10);
            Path member = unpack.resolve(pkg.member());
            Files.createDirectories(target.getParent());
            deleteTree(target);
            if (Files.isDirectory(member)) {
                Files.move(member, target, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.createDirectories(target);
                Files.move(member, target.resolve(member.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
            progress.step("placed " + pkg.spec() + " in " + target);
        } catch (IOException e) {
            throw new NativeException("could not unpack " + pkg.spec() + " into " + target + ": " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    /** npm's integrity string of a file: {@code sha512-} and the base64 digest. */
    static String integrity(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return "sha512-" + Base64.getEncoder().encodeToString(md.digest());
    }

    // --- plumbing ------------------------------------------------------------------------

    interface IoAction {
        void run() throws IOException;
    }

    /** Runs {@code action} holding the pin's file lock (other processes wait). */
    static synchronized void withLock(IoAction action) {
        Path lockFile = pinDir().resolve(".lock");
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                action.run();
            }
        } catch (IOException e) {
            throw new NativeException("native cache " + pinDir() + ": " + e.getMessage(), e);
        }
    }

    static Path tempSibling(Path target) {
        try {
            Files.createDirectories(target.getParent());
            return Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp");
        } catch (IOException e) {
            throw new NativeException("cannot create a temporary folder next to " + target + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // leftovers in a temporary folder are harmless; the next run makes a new one
        }
    }
}
