package dev.snapshotter.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.snapshotter.support.InjectQdrant;
import dev.snapshotter.support.LogCapture;
import dev.snapshotter.support.QdrantStandIn;
import dev.snapshotter.support.SecretsStayHidden;
import dev.snapshotter.support.ServiceApi;
import dev.snapshotter.support.TestData;
import dev.snapshotter.support.WithQdrantStandIn;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * QDRANT_SNAPSHOT_VERIFY_SCHEDULE, no off-site copies: a snapshot whose checksum file was lost (so not listed) while its
 * bytes still hash to the SHA-256 its manifest recorded is listed again by the next integrity check, its checksum file
 * written again; one whose bytes changed too stays unlisted, named at WARN. Before, both stayed unlisted: never
 * restored, pruned or re-read.
 */
@QuarkusTest
@WithQdrantStandIn(config = @ResourceArg(name = "qdrant.snapshot.verify-schedule", value = "*/2 * * * * ?"))
@ExtendWith(SecretsStayHidden.class)
class LostChecksumFileTest {

    @InjectQdrant
    QdrantStandIn qdrant;

    LogCapture log;

    @Test
    void aSnapshotWhoseManifestVouchesForItIsListedAgainAndOneThatChangedIsNot() throws Exception {
        qdrant.snapshotServed("kairos", TestData.snapshot(20_000));
        Path sound = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        qdrant.snapshotServed("kairos", TestData.snapshot(30_000));
        Path changed = Path.of(ServiceApi.trigger().then().statusCode(200).extract().<String> path("targets[0].filePath"));
        Path soundChecksum = sound.resolveSibling(sound.getFileName() + ".sha256");
        String recorded = Files.readString(soundChecksum);
        Files.delete(soundChecksum);
        Files.delete(changed.resolveSibling(changed.getFileName() + ".sha256"));
        byte[] bytes = Files.readAllBytes(changed);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(changed, bytes);

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(soundChecksum).exists());
        assertThat(Files.readString(soundChecksum)).isEqualTo(recorded);
        ServiceApi.api().get("/api/snapshots").then()
                .body("find { it.file == '" + sound.getFileName() + "' }.verified", equalTo(true))
                .body("find { it.file == '" + changed.getFileName() + "' }", equalTo(null));
        assertThat(log.lines()).anyMatch(line -> line.contains(sound.getFileName() + " had lost a checksum file; its "
                + "bytes still hash to the SHA-256 that the run that took it recorded"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.lines())
                .anyMatch(line -> line.contains("1 file(s) in ") && line.contains("not listed: "
                        + changed.getFileName() + ". ")));
    }
}
