using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetRnn.MLNet;

/// <summary>
/// A column as the schema checks see it, from a SchemaShape (GetOutputSchema) or a DataViewSchema (Fit), so that
/// both refuse the same columns with the same message. Keys carry their raw item type (Byte, UInt16, UInt32, UInt64)
/// as ML.NET's SchemaShape does; their count is known from a DataViewSchema only.
/// </summary>
internal readonly record struct ColumnShape(string Name, SchemaShape.Column.VectorKind Kind, DataViewType ItemType, bool IsKey, ulong? KeyCount)
{
    public bool IsVector => Kind != SchemaShape.Column.VectorKind.Scalar;

    public static ColumnShape? Find(SchemaShape schema, string name)
    {
        foreach (var column in schema)
        {
            if (column.Name == name)
                return new ColumnShape(name, column.Kind, column.ItemType, column.IsKey, null);
        }
        return null;
    }

    public static ColumnShape? Find(DataViewSchema schema, string name)
    {
        if (schema.GetColumnOrNull(name) is not { } column)
            return null;
        var kind = column.Type is VectorDataViewType vector
            ? vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector
            : SchemaShape.Column.VectorKind.Scalar;
        var item = column.Type is VectorDataViewType { ItemType: var itemType } ? itemType : column.Type;
        return item is KeyDataViewType key
            ? new ColumnShape(name, kind, RawType(key), true, key.Count)
            : new ColumnShape(name, kind, item, false, null);
    }

    private static DataViewType RawType(KeyDataViewType key) =>
        key.RawType == typeof(byte) ? NumberDataViewType.Byte
        : key.RawType == typeof(ushort) ? NumberDataViewType.UInt16
        : key.RawType == typeof(uint) ? NumberDataViewType.UInt32
        : NumberDataViewType.UInt64;

    /// <summary>ML.NET's notation: Single, Key&lt;UInt16&gt;, Vector&lt;Single&gt;, VarVector&lt;Key&lt;UInt32&gt;&gt;.</summary>
    public override string ToString()
    {
        var item = IsKey ? $"Key<{ItemType}>" : $"{ItemType}";
        return Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}>",
            SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{item}>",
            _ => item,
        };
    }
}
