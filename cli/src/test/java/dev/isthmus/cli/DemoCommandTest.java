package dev.isthmus.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code isthmus demo} must print what the lesson's PyTorch script prints, character for character. */
class DemoCommandTest {

    // The lesson's script output (PyTorch 2.x), values worked out by hand from the cross-correlation formula.
    private static final String EXPECTED = """
            input shape: torch.Size([1, 5, 100, 100])
            output shape: torch.Size([1, 10, 98, 98])
            conv_layer wight: torch.Size([10, 5, 3, 3])
            output2 shape torch.Size([1, 1, 5, 5])
            output2: tensor([[[[ 91., 168., 224., 215., 127.],
                      [114., 211., 295., 262., 149.],
                      [192., 259., 282., 214., 122.],
                      [194., 251., 253., 169.,  86.],
                      [ 96., 112., 110.,  68.,  31.]]]], grad_fn=<ConvolutionBackward0>)
            output3 shape torch.Size([1, 1, 2, 2])
            output3: tensor([[[[211., 262.],
                      [251., 169.]]]], grad_fn=<ConvolutionBackward0>)
            output4 shape torch.Size([1, 1, 2, 2])
            output tensor([[[[4., 8.],
                      [9., 8.]]]])
            """;

    @Test
    void printsTheLessonsFourExamplesExactly() {
        CliRunner result = CliRunner.run("demo");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals(EXPECTED, result.out());
    }
}
