package dev.branchyard.deploy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads a component's template directory ({@code <root>/<deploy.manifests>}) from disk for {@link
 * ManifestRenderer}: its {@code *.yaml} and {@code *.yml} files, not subdirectories, by name.
 */
public final class TemplateDirectory {

  /** A template far larger than this is a mistake; the renderer caps documents too. */
  static final long MAX_FILE_BYTES = 4L << 20;

  private final Path root;

  /**
   * @param root the templates directory, {@code branchyard.deploy.templates-dir}
   */
  public TemplateDirectory(Path root) {
    this.root = root;
  }

  /**
   * The template files of one component.
   *
   * @param directory relative to the root, as in {@code deploy.manifests}, e.g. {@code shop/web}
   * @throws RenderException when the directory is missing, outside the root, holds no templates, or
   *     a file cannot be read
   */
  public List<TemplateFile> read(String directory) throws RenderException {
    Path base = root.normalize();
    Path dir = base.resolve(directory).normalize();
    if (!dir.startsWith(base) || dir.equals(base)) {
      throw new RenderException(
          "deploy.manifests '"
              + directory
              + "' must name a directory inside "
              + root
              + ", e.g. shop/web");
    }
    if (!Files.isDirectory(dir)) {
      throw new RenderException(
          dir + ": no such template directory (deploy.manifests: " + directory + ")");
    }
    List<Path> paths;
    try (Stream<Path> entries = Files.list(dir)) {
      paths =
          entries
              .filter(Files::isRegularFile)
              .filter(TemplateDirectory::isYaml)
              .sorted(Comparator.comparing(p -> p.getFileName().toString()))
              .toList();
    } catch (IOException e) {
      throw new RenderException(dir + ": cannot list the template directory: " + e, e);
    }
    if (paths.isEmpty()) {
      throw new RenderException(
          dir + ": no *.yaml or *.yml files: a component's template directory needs at least one");
    }
    List<TemplateFile> files = new ArrayList<>(paths.size());
    for (Path path : paths) {
      files.add(new TemplateFile(path.toString(), text(path)));
    }
    return List.copyOf(files);
  }

  private static String text(Path path) throws RenderException {
    try {
      if (Files.size(path) > MAX_FILE_BYTES) {
        throw new RenderException(
            path + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB: split it into smaller files");
      }
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new RenderException(path + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new RenderException(path + ": cannot read: " + e, e);
    }
  }

  private static boolean isYaml(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }
}
