/** For runtime implementations: how the API finds its runtime and binds deserialized handles. */
package io.rayfile.api.spi;
