package cloud.edgehive.ops;

import java.nio.file.Path;
import java.util.List;

/**
 * A provider that needs files at run time (a template to read, a folder to write); readiness checks
 * them on every call, since operators edit them while the service runs.
 */
public interface NeedsFiles {

    default List<Path> readable() {
        return List.of();
    }

    default List<Path> writable() {
        return List.of();
    }
}
