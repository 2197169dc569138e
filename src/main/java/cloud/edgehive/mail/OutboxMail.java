package cloud.edgehive.mail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode: each email becomes an {@code .eml} file in {@code mail.outbox-dir} (open it with any
 * mail client), and the log names the file. Like SMTP it has no idempotency key: the node's record of
 * the emails it was sent keeps a resumed step from sending again.
 */
public class OutboxMail implements MailSender, cloud.edgehive.ops.NeedsFiles {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxMail.class);

    private final Path dir;
    private final MailFiles files;

    public OutboxMail(Path dir, MailFiles files) {
        this.dir = dir;
        this.files = files;
    }

    @Override
    public String name() {
        return "outbox";
    }

    @Override
    public java.util.List<Path> writable() {
        return java.util.List.of(dir);
    }

    @Override
    public void send(MailMessage message, String idempotencyKey) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(files.fileName(message));
            Path temp = Files.createTempFile(dir, ".mail", ".tmp");
            Files.write(temp, files.eml(message));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("Email to {} written to {}", message.to(), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
