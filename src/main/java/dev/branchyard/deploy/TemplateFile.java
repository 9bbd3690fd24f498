package dev.branchyard.deploy;

import dev.branchyard.Pure;
import java.util.Objects;

/**
 * One template file's content, as read from disk (or anywhere else).
 *
 * @param path how errors name the file, e.g. {@code templates/shop/web/deployment.yaml}
 * @param text the file's content
 */
@Pure
public record TemplateFile(String path, String text) {

  public TemplateFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(text, "text");
  }
}
