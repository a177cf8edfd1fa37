package dev.deckhand.media;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.PropertySource;

/** The media service on its own, for the distributed wiring. */
@SpringBootApplication(scanBasePackages = {})
@Import(MediaServiceConfiguration.class)
@PropertySource("classpath:media-service.properties")
public class MediaServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(MediaServiceApplication.class, args);
    }
}
