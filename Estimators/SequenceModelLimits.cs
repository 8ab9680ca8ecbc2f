namespace MlNetRnn;

/// <summary>
/// The largest sizes MlNetRnn builds, trains or reads. Options and network specs beyond them are refused with an
/// <see cref="ArgumentException"/>; a model file or checkpoint whose header asks for more is refused with a
/// <see cref="ModelFileException"/> before anything of that size is allocated. They keep every size and product of
/// sizes inside the 32-bit ranges the kernels index with, and a damaged header from asking for gigabytes.
/// </summary>
public static class SequenceModelLimits
{
    /// <summary>Kernel threads (the native kernel's C ABI has the same cap).</summary>
    public const int MaxThreads = Kernels.NativeMethods.MaxThreads;

    /// <summary>Units per direction of a recurrent layer.</summary>
    public const int MaxHiddenSize = 16_384;

    /// <summary>Stacked recurrent layers.</summary>
    public const int MaxLayers = 64;

    /// <summary>Embedding vector size.</summary>
    public const int MaxEmbeddingSize = 16_384;

    /// <summary>Features per step of dense input, and the vocabulary of token input (2^21).</summary>
    public const int MaxInputWidth = 1 << 21;

    /// <summary>Outputs of the head: classes, tags, regression values or the vocabulary of a language model (2^21).</summary>
    public const int MaxOutputSize = 1 << 21;

    /// <summary>Trainable parameters of one network (2^28 floats, 1 GiB).</summary>
    public const int MaxParameters = 1 << 28;

    /// <summary>Bytes of the JSON document of a model file ("model.json": spec, schema with the vocabulary and labels,
    /// options, history); 128 MiB holds a vocabulary of the largest size with tokens of a few dozen characters.</summary>
    public const int MaxModelDocumentBytes = 128 << 20;

    /// <summary>Bytes of the small JSON documents: a checkpoint's loop state, a file's checksum manifest.</summary>
    public const int MaxStateDocumentBytes = 1 << 20;

    /// <summary>Bytes of an ONNX file, checked before it is read into memory: an export holds at most
    /// <see cref="MaxParameters"/> floats, its vocabulary twice (the metadata and a raw-text graph's lookup) and a graph
    /// of a few hundred nodes (about 1.3 GiB in all; protobuf itself stops at 2 GiB).</summary>
    public const long MaxOnnxFileBytes = 4L * MaxParameters + 2L * MaxModelDocumentBytes + (64L << 20);

    /// <summary>Bytes (UTF-8) of all of an ONNX file's metadata values together; the vocabulary, key names and labels
    /// may each take up to <see cref="MaxModelDocumentBytes"/>, every other value <see cref="MaxStateDocumentBytes"/>.</summary>
    public const int MaxOnnxMetadataBytes = 2 * MaxModelDocumentBytes;

    /// <summary>Entries of an ONNX file's metadata (an export writes about a dozen; other tools add a few).</summary>
    public const int MaxOnnxMetadataEntries = 1024;
}
