package dev.branchyard.github;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The sample payloads in {@code webhooks/}, parsed afresh for each test to change at will. */
final class Webhooks {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Webhooks() {}

  static ObjectNode payload(String file) {
    try {
      return (ObjectNode) JSON.readTree(Path.of("webhooks", file).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
