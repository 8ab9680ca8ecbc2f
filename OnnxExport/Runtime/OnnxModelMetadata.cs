namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// A model's metadata as ORT reads it: the ModelProto fields and the custom map (<c>metadata_props</c>), where
/// the exporter stores the vocabulary, labels and options.
/// </summary>
public sealed class OnnxModelMetadata
{
    internal OnnxModelMetadata(string producerName, string graphName, string domain, string description,
        string graphDescription, long version, IReadOnlyDictionary<string, string> custom)
    {
        ProducerName = producerName;
        GraphName = graphName;
        Domain = domain;
        Description = description;
        GraphDescription = graphDescription;
        Version = version;
        Custom = custom;
    }

    public string ProducerName { get; }

    public string GraphName { get; }

    public string Domain { get; }

    /// <summary>The model's doc_string.</summary>
    public string Description { get; }

    /// <summary>The graph's doc_string.</summary>
    public string GraphDescription { get; }

    /// <summary>The model_version field.</summary>
    public long Version { get; }

    /// <summary>metadata_props, key to value.</summary>
    public IReadOnlyDictionary<string, string> Custom { get; }
}
