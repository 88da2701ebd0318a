package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * What goes on the wire for a write: over plain http a body that carries its SHA-256 in {@code x-amz-checksum-sha256}
 * is bound to the signature through that header (signed), not hashed again; any other body is signed as the SDK does.
 */
class ChecksumHeaderSignerTest {

    private static final byte[] BODY = "a part of a snapshot".getBytes(StandardCharsets.UTF_8);

    private final ChecksumHeaderSigner signer = new ChecksumHeaderSigner();

    @Test
    void aBodyWithItsChecksumIsBoundByTheSignedChecksumHeaderOverHttp() throws IOException {
        SignedRequest signed = signer.sign(request("http", sha256Base64(BODY), true));

        assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256")).hasValue("UNSIGNED-PAYLOAD");
        assertThat(signedHeaders(signed)).contains("x-amz-checksum-sha256", "x-amz-content-sha256", "content-length",
                "host");
        assertThat(signed.request().firstMatchingHeader("x-amz-checksum-sha256")).hasValue(sha256Base64(BODY));
        // the body goes as it is, not re-framed (no aws-chunked encoding)
        assertThat(body(signed)).isEqualTo(BODY);
        assertThat(signed.request().firstMatchingHeader("Content-Encoding")).isEmpty();
    }

    @Test
    void aBodyWithoutAChecksumIsHashedForItsSignatureOverHttp() throws IOException {
        SignedRequest signed = signer.sign(request("http", null, false));

        assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256"))
                .hasValue(HexFormat.of().formatHex(sha256(BODY)));
        assertThat(body(signed)).isEqualTo(BODY);
    }

    @Test
    void overHttpsABodyWithItsChecksumIsSignedAsTheSdkDoes() throws IOException {
        SignedRequest signed = signer.sign(request("https", sha256Base64(BODY), true));

        assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256")).hasValue("UNSIGNED-PAYLOAD");
        assertThat(signedHeaders(signed)).contains("x-amz-checksum-sha256");
        assertThat(body(signed)).isEqualTo(BODY);
    }

    private static SignRequest<AwsCredentialsIdentity> request(String protocol, String checksum, boolean chunked) {
        SdkHttpRequest.Builder http = SdkHttpRequest.builder().method(SdkHttpMethod.PUT)
                .uri(URI.create(protocol + "://127.0.0.1:7480/bucket/kairos/file.snap?partNumber=1&uploadId=u"))
                .putHeader("Content-Length", String.valueOf(BODY.length));
        if (checksum != null) {
            http.putHeader("x-amz-checksum-sha256", checksum);
        }
        return SignRequest.builder((AwsCredentialsIdentity) AwsBasicCredentials.create("access", "secret"))
                .request(http.build()).payload(ContentStreamProvider.fromByteArray(BODY))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, chunked)
                .build();
    }

    private static String signedHeaders(SignedRequest signed) {
        String authorization = signed.request().firstMatchingHeader("Authorization").orElseThrow();
        return authorization.replaceAll(".*SignedHeaders=([^,]*),.*", "$1");
    }

    private static byte[] body(SignedRequest signed) throws IOException {
        try (InputStream in = signed.payload().orElseThrow().newStream()) {
            return in.readAllBytes();
        }
    }

    private static String sha256Base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(sha256(bytes));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
