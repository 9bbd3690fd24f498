package dev.branchyard.github;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The JSON Web Token a GitHub App signs with its private key to act as the App (RS256, issued a
 * minute in the past for clock drift, valid {@value #VALIDITY_MINUTES} minutes of GitHub's allowed
 * ten). It is exchanged for installation tokens.
 */
final class GitHubAppJwt {

  static final int VALIDITY_MINUTES = 9;

  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";

  private GitHubAppJwt() {}

  /** A JWT for App {@code appId} issued at {@code now}. */
  static String sign(long appId, PrivateKey key, Instant now) {
    long iat = now.minus(Duration.ofSeconds(60)).getEpochSecond();
    long exp = now.plus(Duration.ofMinutes(VALIDITY_MINUTES)).getEpochSecond();
    String payload = "{\"iat\":" + iat + ",\"exp\":" + exp + ",\"iss\":\"" + appId + "\"}";
    String unsigned = encode(HEADER) + "." + encode(payload);
    try {
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initSign(key);
      rs256.update(unsigned.getBytes(StandardCharsets.US_ASCII));
      return unsigned + "." + URL.encodeToString(rs256.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the GitHub App JWT with the configured key", e);
    }
  }

  /**
   * The RSA private key in PEM text as GitHub hands it out ({@code BEGIN RSA PRIVATE KEY}, PKCS#1)
   * or converted ({@code BEGIN PRIVATE KEY}, PKCS#8).
   *
   * @throws IllegalArgumentException when the text is no such key; the message says what was found
   */
  static PrivateKey privateKey(String pem) {
    boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
    if (!pkcs1 && !pem.contains("BEGIN PRIVATE KEY")) {
      throw new IllegalArgumentException(
          "the GitHub App private key must be PEM text starting with -----BEGIN RSA PRIVATE KEY-----"
              + " (as GitHub hands it out) or -----BEGIN PRIVATE KEY-----");
    }
    String base64 = pem.replaceAll("-----(BEGIN|END)[A-Z ]*-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the GitHub App private key PEM is not valid base64", e);
    }
    try {
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? pkcs8(der) : der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the GitHub App private key PEM holds no readable RSA key: " + e.getMessage(), e);
    }
  }

  private static String encode(String json) {
    return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo, which the JDK reads. */
  private static byte[] pkcs8(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] rsaAlgorithm = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    byte[] key = der(0x04, pkcs1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(rsaAlgorithm);
    body.writeBytes(key);
    return der(0x30, body.toByteArray());
  }

  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((length >>> (8 * i)) & 0xff);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
