package dev.branchyard.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP server on {@code 127.0.0.1} that accepts connections and never answers: what a hung git
 * server looks like to a client, so tests can check read timeouts.
 */
public final class UnresponsiveServer implements AutoCloseable {

  private final ServerSocket socket;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private UnresponsiveServer(ServerSocket socket) {
    this.socket = socket;
    this.acceptor = new Thread(this::acceptForever, "unresponsive-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static UnresponsiveServer start() throws IOException {
    return new UnresponsiveServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://" + socket.getInetAddress().getHostAddress() + ":" + socket.getLocalPort();
  }

  private void acceptForever() {
    while (!socket.isClosed()) {
      try {
        // Held open and never read from or written to, until close().
        accepted.add(socket.accept());
      } catch (IOException closed) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket connection : accepted) {
      connection.close();
    }
  }
}
