package cloud.edgehive.store;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Conversions between DynamoDB attribute values and Java values, for the stores in this package. */
final class Items {

    private Items() {
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static Long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Long.valueOf(v.n());
    }

    static long number(Map<String, AttributeValue> item, String name, long fallback) {
        Long v = number(item, name);
        return v == null ? fallback : v;
    }
}
