package dev.snapshotter.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How a file is cut into the parts of its upload: plain JUnit, since no test machine holds the 157 GiB file that needs
 * more than S3's 10,000 parts of the default 16 MiB.
 */
class PartPlanTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final long HEAP = 4 * GIB;

    @Test
    void aFileThatFitsGoesUpInTheConfiguredParts() {
        assertThat(PartPlan.of(GIB, 16 * MIB, 4, HEAP)).isEqualTo(new PartPlan(16 * MIB, 64, 4));
        assertThat(PartPlan.of(10_000 * 16 * MIB, 16 * MIB, 4, HEAP)).isEqualTo(new PartPlan(16 * MIB, 10_000, 4));
        assertThat(PartPlan.of(3 * MIB, 16 * MIB, 4, HEAP)).isEqualTo(new PartPlan(16 * MIB, 1, 1));
        assertThat(PartPlan.of(0, 16 * MIB, 4, HEAP)).isEqualTo(new PartPlan(16 * MIB, 1, 1));
    }

    @Test
    void aFileTooLargeForTenThousandPartsGetsLargerOnes() {
        // 200 GiB in 16 MiB parts would be 12,800: S3 refuses part 10,001 after 156 GiB were sent
        PartPlan plan = PartPlan.of(200 * GIB, 16 * MIB, 4, HEAP);
        assertThat(plan.partSize()).isEqualTo(21 * MIB);
        assertThat(plan.parts()).isLessThanOrEqualTo(PartPlan.MAX_PARTS);
        assertThat(plan.partSize() * plan.parts()).isGreaterThanOrEqualTo(200 * GIB);

        PartPlan oneByteMore = PartPlan.of(10_000 * 16 * MIB + 1, 16 * MIB, 4, HEAP);
        assertThat(oneByteMore.partSize()).isEqualTo(17 * MIB);
        assertThat(oneByteMore.parts()).isLessThanOrEqualTo(PartPlan.MAX_PARTS);

        PartPlan largest = PartPlan.of(PartPlan.MAX_OBJECT, 5 * MIB, 4, HEAP);
        assertThat(largest.parts()).isLessThanOrEqualTo(PartPlan.MAX_PARTS);
        assertThat(largest.partSize() * largest.parts()).isGreaterThanOrEqualTo(PartPlan.MAX_OBJECT);
        assertThat(largest.partSize()).isLessThan(Integer.MAX_VALUE); // a part is one array in memory
    }

    @Test
    void thePartBuffersStayWithinHalfTheHeap() {
        assertThat(PartPlan.of(GIB, 16 * MIB, 4, 64 * MIB).concurrency()).isEqualTo(2);
        assertThat(PartPlan.of(GIB, 64 * MIB, 8, 64 * MIB).concurrency()).isEqualTo(1);
        assertThat(PartPlan.of(4 * MIB, 16 * MIB, 4, 64 * MIB).concurrency()).isEqualTo(1);
    }
}
