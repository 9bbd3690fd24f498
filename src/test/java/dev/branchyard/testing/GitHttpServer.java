package dev.branchyard.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.PackProtocolException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git server over real HTTP (smart protocol v0 and v2, upload-pack only) for tests: repositories
 * are built with JGit in a directory of the test's, then served from {@code 127.0.0.1} on a free
 * port by the JDK's HTTP server driving JGit's {@link UploadPack}, so no servlet container competes
 * with Quarkus'. Both JGit and the {@code git} CLI can read from it.
 *
 * <p>A repository {@code owner/name} is served at {@link #urlOf(String)} = {@code
 * http://127.0.0.1:<port>/owner/name.git}, which is also what a {@code
 * branchyard.git.github-base-url} of {@link #baseUrl()} makes of {@code owner/name}. Repositories
 * may require HTTP basic auth; the server counts requests per repository so tests can tell a cache
 * hit from a listing.
 */
public final class GitHttpServer implements AutoCloseable {

  static {
    // The JDK server writes a response's headers and body separately; without TCP_NODELAY the
    // body waits for the client's delayed ACK (40 ms on Linux) on every request, which a real git
    // server does not add. Read once, when the first JDK HttpServer of the JVM starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private static final String UPLOAD_PACK = "git-upload-pack";
  private static final String REALM = "Basic realm=\"branchyard-test-git\"";

  private final Path root;
  private final HttpServer http;
  private final ExecutorService executor;
  private final Map<String, TestRepository> repositories = new ConcurrentHashMap<>();
  private final Map<String, String> expectedAuthorization = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requestsPerRepository = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();

  private GitHttpServer(Path root, HttpServer http, ExecutorService executor) {
    this.root = root;
    this.http = http;
    this.executor = executor;
  }

  /** Starts a server keeping its repositories under {@code root}. */
  public static GitHttpServer start(Path root) throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "git-http-server");
              thread.setDaemon(true);
              return thread;
            });
    GitHttpServer server = new GitHttpServer(root, http, executor);
    http.createContext("/", server::handle);
    http.setExecutor(executor);
    http.start();
    return server;
  }

  /** {@code http://127.0.0.1:<port>}, usable as {@code branchyard.git.github-base-url}. */
  public String baseUrl() {
    return "http://" + http.getAddress().getHostString() + ":" + http.getAddress().getPort();
  }

  public String host() {
    return http.getAddress().getHostString();
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** The clone URL of repository {@code name} (e.g. {@code acme/api}). */
  public String urlOf(String name) {
    return baseUrl() + "/" + name + ".git";
  }

  /**
   * Creates an empty bare repository {@code name} (e.g. {@code acme/api}), HEAD on {@code main}.
   */
  public TestRepository createRepository(String name) {
    try {
      Repository db = new FileRepository(root.resolve(name + ".git").toFile());
      db.create(true);
      RefUpdate head = db.updateRef(Constants.HEAD);
      head.link(Constants.R_HEADS + "main");
      StoredConfig config = db.getConfig();
      // What git http-backend needs to serve a fetch by SHA (UploadPack gets its policy directly).
      config.setBoolean("uploadpack", null, "allowReachableSHA1InWant", true);
      config.save();
      TestRepository repository = new TestRepository(name, db);
      repositories.put(name, repository);
      return repository;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * From now on, repository {@code name} answers only requests with these HTTP basic credentials.
   */
  public void requireBasicAuth(String name, String username, String password) {
    String token =
        Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    expectedAuthorization.put(name, "Basic " + token);
  }

  /** Every HTTP request received so far, including refused ones. */
  public int requestCount() {
    return requests.get();
  }

  /** The HTTP requests received so far for repository {@code name}, including refused ones. */
  public int requestCount(String name) {
    AtomicInteger count = requestsPerRepository.get(name);
    return count == null ? 0 : count.get();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    repositories.values().forEach(r -> r.db.close());
  }

  private void handle(HttpExchange exchange) {
    requests.incrementAndGet();
    try {
      String path = exchange.getRequestURI().getPath();
      int suffix = path.indexOf(".git/");
      if (suffix < 1) {
        respond(exchange, 404, "text/plain", "not a repository path\n");
        return;
      }
      String name = path.substring(1, suffix);
      String rest = path.substring(suffix + ".git/".length());
      requestsPerRepository.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      TestRepository repository = repositories.get(name);
      if (repository == null) {
        respond(exchange, 404, "text/plain", "repository not found\n");
        return;
      }
      String expected = expectedAuthorization.get(name);
      if (expected != null
          && !expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", REALM);
        respond(exchange, 401, "text/plain", "authentication required\n");
        return;
      }
      if (rest.equals("info/refs") && "GET".equals(exchange.getRequestMethod())) {
        advertise(exchange, repository);
      } else if (rest.equals(UPLOAD_PACK) && "POST".equals(exchange.getRequestMethod())) {
        uploadPack(exchange, repository);
      } else {
        // Only the smart upload-pack service: no dumb HTTP, no push.
        respond(exchange, 403, "text/plain", "only smart git-upload-pack is served\n");
      }
    } catch (IOException | RuntimeException e) {
      respondIfPossible(exchange, e);
    } finally {
      exchange.close();
    }
  }

  private void advertise(HttpExchange exchange, TestRepository repository) throws IOException {
    String query = Optional.ofNullable(exchange.getRequestURI().getQuery()).orElse("");
    if (!query.contains("service=" + UPLOAD_PACK)) {
      respond(exchange, 403, "text/plain", "only the smart protocol is served\n");
      return;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    UploadPack uploadPack = uploadPackFor(exchange, repository);
    try {
      uploadPack.sendAdvertisedRefs(
          new PacketLineOutRefAdvertiser(new PacketLineOut(body)), UPLOAD_PACK);
    } finally {
      uploadPack.getRevWalk().close();
    }
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    respond(exchange, 200, "application/x-" + UPLOAD_PACK + "-advertisement", body.toByteArray());
  }

  private void uploadPack(HttpExchange exchange, TestRepository repository) throws IOException {
    // Read up front: UploadPack drains its input with skip(), which the JDK server's fixed-length
    // body stream passes to the socket, blocking on bytes that never come.
    InputStream in = new ByteArrayInputStream(exchange.getRequestBody().readAllBytes());
    if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    // Buffered, so an error found while reading the request can still become an HTTP status.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      uploadPackFor(exchange, repository).uploadWithExceptionPropagation(in, body, null);
    } catch (ServiceMayNotContinueException | PackProtocolException e) {
      // What git's http-backend does with a refused request: an ERR packet the client shows.
      if (!(e instanceof ServiceMayNotContinueException refusal && refusal.isOutput())) {
        body.reset();
        new PacketLineOut(body).writeString("ERR " + e.getMessage() + "\n");
      }
    } catch (MissingObjectException e) {
      // JGit parses a shallow fetch's wants before validating them; git says this instead.
      body.reset();
      new PacketLineOut(body).writeString("ERR " + notOurRef(e.getObjectId()) + "\n");
    }
    respond(exchange, 200, "application/x-" + UPLOAD_PACK + "-result", body.toByteArray());
  }

  private static UploadPack uploadPackFor(HttpExchange exchange, TestRepository repository) {
    UploadPack uploadPack = new UploadPack(repository.db);
    uploadPack.setBiDirectionalPipe(false);
    // Lets clients fetch one commit by SHA, as GitHub does; JGitFiles relies on it. An unknown SHA
    // is refused the way git and GitHub refuse it, where JGit alone would answer "internal error".
    UploadPack.RequestValidator reachable = new UploadPack.ReachableCommitRequestValidator();
    uploadPack.setRequestValidator(
        (up, wants) -> {
          for (ObjectId want : wants) {
            if (!repository.db.getObjectDatabase().has(want)) {
              throw new PackProtocolException(notOurRef(want));
            }
          }
          reachable.checkWants(up, wants);
        });
    String protocol = exchange.getRequestHeaders().getFirst("Git-Protocol");
    if (protocol != null) {
      uploadPack.setExtraParameters(Arrays.asList(protocol.split(":")));
    }
    return uploadPack;
  }

  private static String notOurRef(ObjectId want) {
    return "upload-pack: not our ref " + want.name();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    respond(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }

  private static void respondIfPossible(HttpExchange exchange, Exception error) {
    // A fixture bug or an unexpected request: visible in the test's output, not only as a 500.
    error.printStackTrace();
    try {
      respond(exchange, 500, "text/plain", "git test server: " + error + "\n");
    } catch (IOException | RuntimeException headersAlreadySent) {
      // The client sees a truncated response, which is the failure the test will report.
    }
  }

  /** A served repository, with the few ways tests need to shape its history. */
  public static final class TestRepository {

    private static final PersonIdent AUTHOR =
        new PersonIdent(
            "Branchyard Test",
            "test@branchyard.dev",
            Instant.parse("2026-01-01T00:00:00Z"),
            ZoneOffset.UTC);

    private final String name;
    private final Repository db;

    private TestRepository(String name, Repository db) {
      this.name = name;
      this.db = db;
    }

    public String name() {
      return name;
    }

    /**
     * Commits exactly {@code files} (path to UTF-8 content; paths may contain slashes) on top of
     * {@code branch}, creating the branch when it does not exist, and returns the commit SHA.
     */
    public String commit(String branch, Map<String, String> files, String message) {
      try (ObjectInserter inserter = db.newObjectInserter()) {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
          DirCacheEntry entry = new DirCacheEntry(file.getKey());
          entry.setFileMode(FileMode.REGULAR_FILE);
          entry.setObjectId(
              inserter.insert(
                  Constants.OBJ_BLOB, file.getValue().getBytes(StandardCharsets.UTF_8)));
          builder.add(entry);
        }
        builder.finish();
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(index.writeTree(inserter));
        ObjectId parent = db.resolve(Constants.R_HEADS + branch);
        if (parent != null) {
          commit.setParentIds(List.of(parent));
        }
        commit.setAuthor(AUTHOR);
        commit.setCommitter(AUTHOR);
        commit.setMessage(message);
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        setRef(Constants.R_HEADS + branch, id);
        return id.name();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Points {@code branch} (which may contain slashes) at {@code commit}. */
    public void branch(String branch, String commit) {
      setRef(Constants.R_HEADS + branch, ObjectId.fromString(commit));
    }

    /** Creates a lightweight tag: the ref points at the commit itself. */
    public void lightweightTag(String tag, String commit) {
      setRef(Constants.R_TAGS + tag, ObjectId.fromString(commit));
    }

    /**
     * Creates an annotated tag: the ref points at a tag object which points at the commit.
     *
     * @return the SHA of the tag object (not of the commit)
     */
    public String annotatedTag(String tag, String commit) {
      try (ObjectInserter inserter = db.newObjectInserter()) {
        TagBuilder builder = new TagBuilder();
        builder.setTag(tag);
        builder.setObjectId(ObjectId.fromString(commit), Constants.OBJ_COMMIT);
        builder.setTagger(AUTHOR);
        builder.setMessage("release " + tag + "\n");
        ObjectId id = inserter.insert(builder);
        inserter.flush();
        setRef(Constants.R_TAGS + tag, id);
        return id.name();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void setRef(String ref, ObjectId id) {
      try {
        RefUpdate update = db.updateRef(ref);
        update.setNewObjectId(id);
        update.setForceUpdate(true);
        RefUpdate.Result result = update.update();
        if (result != RefUpdate.Result.NEW
            && result != RefUpdate.Result.FORCED
            && result != RefUpdate.Result.FAST_FORWARD
            && result != RefUpdate.Result.NO_CHANGE) {
          throw new IllegalStateException("cannot set " + ref + " of " + name + ": " + result);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
