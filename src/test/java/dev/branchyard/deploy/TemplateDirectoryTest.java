package dev.branchyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateDirectoryTest {

  @TempDir Path root;

  @Test
  void readsYamlFilesByNameAndNothingElse() throws Exception {
    Path dir = Files.createDirectories(root.resolve("shop/web"));
    Files.writeString(dir.resolve("b.yml"), "b: 1\n");
    Files.writeString(dir.resolve("a.yaml"), "a: 1\n");
    Files.writeString(dir.resolve("notes.md"), "no\n");
    Files.createDirectories(dir.resolve("nested.yaml"));

    List<TemplateFile> files = new TemplateDirectory(root).read("shop/web");

    assertThat(files)
        .extracting(TemplateFile::path)
        .containsExactly(dir.resolve("a.yaml").toString(), dir.resolve("b.yml").toString());
    assertThat(files.get(0).text()).isEqualTo("a: 1\n");
  }

  @Test
  void missingDirectoryIsAnError() {
    assertThatThrownBy(() -> new TemplateDirectory(root).read("shop/nope"))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("no such template directory (deploy.manifests: shop/nope)");
  }

  @Test
  void directoryWithoutTemplatesIsAnError() throws IOException {
    Files.createDirectories(root.resolve("empty"));

    assertThatThrownBy(() -> new TemplateDirectory(root).read("empty"))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("no *.yaml or *.yml files");
  }

  @Test
  void directoryOutsideTheRootIsRefused() throws IOException {
    Files.createDirectories(root.resolve("templates"));
    Files.createDirectories(root.resolve("secrets"));
    Files.writeString(root.resolve("secrets/s.yaml"), "a: 1\n");

    assertThatThrownBy(() -> new TemplateDirectory(root.resolve("templates")).read("../secrets"))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("must name a directory inside");
  }
}
