package cloud.edgehive.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.spi.PropertiesFunction;

/**
 * Local mode's secrets: {@code {{local-secret:NAME}}} in {@code local.properties} is a random value
 * generated the first time this machine needs it and kept in {@code <local.data-dir>/secrets/NAME}
 * (folder 700, file 600), so a restart keeps signatures and tokens valid and no two machines share
 * one. Fixed strings in a published file would let any web page the user opens forge webhooks and
 * admin tokens against 127.0.0.1. An environment variable still overrides the key as usual.
 * <p>
 * Found by Camel through {@code META-INF/services/org/apache/camel/properties-function/local-secret}.
 */
public class LocalSecrets implements PropertiesFunction, CamelContextAware {

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private CamelContext context;

    @Override
    public String getName() {
        return "local-secret";
    }

    @Override
    public String apply(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("local-secret names are lower-case letters, digits and '-'");
        }
        String dataDir = context.getPropertiesComponent().resolveProperty("local.data-dir").orElse("data/local");
        return read(Path.of(dataDir).resolve("secrets"), name);
    }

    /** The secret in {@code folder/name}, created with 32 random bytes if it does not exist yet. */
    static synchronized String read(Path folder, String name) {
        try {
            Files.createDirectories(folder);
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
            Path file = folder.resolve(name);
            if (!Files.exists(file)) {
                create(folder, file);
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep local secret " + name + " in " + folder, e);
        }
    }

    /**
     * Written to a private temporary file, then linked into place: a second process starting at the
     * same moment either links first (and this one reads its value) or finds the file complete.
     */
    private static void create(Path folder, Path file) throws IOException {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        Path temp = Files.createTempFile(folder, ".new-", "", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), StandardCharsets.UTF_8);
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException raced) {
            // another process created it first; its value is the one
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
